// Imported first by main.ts, so it runs before any other module of the bundle: the moment the
// page's script starts, for `make bench`'s waterfall of a launch.
performance.mark("script");
