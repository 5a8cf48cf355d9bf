"""Third-party model weights: the VQGAN model zoo, a download cache with sha256 checks, and safe loading."""
