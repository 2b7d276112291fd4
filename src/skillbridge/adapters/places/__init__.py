"""Gazetteers: the places that typed names resolve against."""
