"""Forum use cases: post, list and search threads, read a thread's tree, edit and delete posts.

The forum is for signed-in members: every use case takes a :class:`Principal`.
"""
