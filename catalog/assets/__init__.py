"""The pages of documented assets (tables, metrics, apps, warehouse connections): `selectors`
read them filtered by the viewer, `views` render them and their documentation forms."""
