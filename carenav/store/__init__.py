"""The encrypted vault: key header, SQLCipher engine, migrations, integrity."""
