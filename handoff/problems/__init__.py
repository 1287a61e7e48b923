"""Known problems (major incidents): what employees are told while they last."""
