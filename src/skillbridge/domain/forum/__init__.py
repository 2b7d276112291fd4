"""The community forum: threads, replies in trees, and the rules of what a post may hold."""
