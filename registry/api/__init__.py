"""The registry's HTTP API: the export files and their history, the check of a client
config, and the enforcement hook's download."""
