"""`muse plan`, `muse train planner`, `muse bench planner`."""
