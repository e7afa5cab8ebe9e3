"""Pages of the participants app: accounts, the participant's program, and the staff's review."""
