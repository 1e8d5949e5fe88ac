"""The rating life cycle: engine inputs read in bulk and rated (`compute`), ratings stored per outcome and
read back (`snapshots`), kept true after every save (`upkeep`), what the report reads beside them
(`report_inputs`), pages drawn from them kept per worker (`fragments`), and the CLI's collector pause."""
