"""Live events: a small pub/sub interface, in-process by default, Redis when configured."""
