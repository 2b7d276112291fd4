"""The curated catalog of free learning resources (``resources.json``) and its loader."""
