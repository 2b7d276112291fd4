"""Progress use cases: GitHub webhooks, repository links, events reported by hand, and the progress report."""
