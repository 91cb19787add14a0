"""Training runs' checkpoints and the shipped models: what training (`--init_from`) and deployment load."""
