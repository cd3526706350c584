"""Pages of the sharing capability: thin views over services, selectors and the gate."""
