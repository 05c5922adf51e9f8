"""Access to the Slack Web API outside listeners: clients per workspace, cached user lookups."""
