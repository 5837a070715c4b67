"""`muse generate`, `muse digit`, `muse train diffusion|digits-gan|digits-vae`, `muse bench generation`."""
