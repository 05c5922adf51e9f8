"""The curated store (quotes and coaching prompts), shipped inside the package as bot.curated."""
