"""Version control: repositories and commits as GitHub reports them, and its signed webhook deliveries."""
