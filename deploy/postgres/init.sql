-- Rasa's tracker store has a database of its own beside the helpdesk's.
CREATE DATABASE helpdesk_rasa OWNER helpdesk;
