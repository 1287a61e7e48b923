"""What the support data adds up to: outcomes, satisfaction, trends and spikes."""
