"""Tests of qkvlab_torch: `/usr/bin/python3 -m unittest discover -s python/tests -t python`."""
