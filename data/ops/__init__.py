"""Operations: backup, restore, migrations, demo data, rollup refresh and the Flask CLI commands."""
