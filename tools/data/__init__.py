"""Data muse's vision models train and are measured on, generated or shipped by a package: no download."""
