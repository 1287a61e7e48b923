"""Files employees and agents attach to a chat: checked by content, stored outside the database."""
