"""These are programs that test_distributed.py runs under mpiexec, not test modules: importing
one (as --doctest-modules would) would run it."""

collect_ignore_glob = ["*.py"]
