"""Progress: the events of a learner's roadmap (commits, study sessions ...), weekly streaks, and the commit
tags that complete modules."""
