"""Internal helpers shared by every stage: atomic file writes, progress bars, old-path aliases.
Nothing here is part of the researcher API."""
