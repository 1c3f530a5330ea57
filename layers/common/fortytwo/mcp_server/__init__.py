"""The MCP server of the API (50-mcp): the front that runs the REST edge checks, the SDK's low-level
server, and the tools, each a view of one REST operation calling the same services."""
