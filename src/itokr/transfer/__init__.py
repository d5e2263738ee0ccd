"""Moving OKRs in and out of spreadsheets: `itokr export` and `itokr import`.

Pure, like the rest of the core: bytes and loaded trees go in; rows, workbook
bytes, findings and the text of new files come out. Reading files, the clock
and writing stay in `itokr.cli`.

- `cells`: one spreadsheet cell as text, number, date or flag; formula guards.
- `sheets`: a CSV or xlsx file as a header and numbered rows.
- `fields`: the columns of itokr's own export, shared by export and import.
- `exporting`: the root as rows, CSV text and an xlsx workbook.
- `tabular`, `viva` (and `viva_checkins`): rows as objectives (`drafts`);
  `filedata`: each draft as file data; `newfiles`: those as the files to write
  (their text by `itokr.emit`, as `carry`'s), checked with the root.
- `configedit`: named periods added to `itokr.yaml` in place.
"""
