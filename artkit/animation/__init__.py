"""Animations: a sequence of frames, each started from the previous one warped by a motion, with
prompt timelines. Configured by a preset's ``animation:`` section (see docs/animation.md)."""
