"""itokr: OKRs as YAML in git, validated, scored and shown from the command line."""

__version__ = "0.1.0"
