"""Correspondence: issuing a letter (render, store, wait for approval or go to print) and the
daily print batch. Each letter's own figures come from the capability it belongs to."""
