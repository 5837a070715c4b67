"""`muse caption`, `muse ask`, `muse classify`, `muse train clip|captioner|judge`, `muse bench vision`."""
