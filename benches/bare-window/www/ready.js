// The same mark Flow Connect sets once its catalog is on screen; here the page is ready as
// soon as it is parsed.
performance.mark("interactive");
