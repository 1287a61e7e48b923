"""Web pages: the chat widget and its demo page, the agent console, public KB articles."""
