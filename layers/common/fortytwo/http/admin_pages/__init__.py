"""Admin Center → API pages (55-admin-center): server-rendered HTML, one stylesheet, no script
needed (plain forms and 303 redirects). Every interpolated value is HTML-escaped."""
