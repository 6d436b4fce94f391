"""Templates of the HTML report (and the style the dashboard shares)."""
