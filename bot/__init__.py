"""The Rasa bot of the IT self-service assistant (data, domain, custom actions)."""
