"""Personal-data breaches (GDPR Art. 33–34): the 72-hour clock and the rules of each step."""
