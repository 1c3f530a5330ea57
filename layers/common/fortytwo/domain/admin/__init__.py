"""Admin Center (55-admin-center): sessions and their page security, pure."""
