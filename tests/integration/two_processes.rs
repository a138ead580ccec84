//! Two holders of one data folder (and two real processes): rewrites, newer files, locks per file, modes, migrations.
