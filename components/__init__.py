"""Pure builders of Dash components and figures; they never query the database."""
