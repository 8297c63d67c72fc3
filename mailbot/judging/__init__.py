"""The pure core: facts about a message, the rules, the chain and the decision. No I/O.

judge.py is the entry; values.py holds the words of a decision (kinds, actions, case statuses); facts.py gathers
what the rules read, with reading.py, threads.py, keywords.py, regime_reading.py (over data_subject.py), subjects.py,
names.py, references.py and webform.py beneath it; rules/ observe; chain.py decides and declares each outcome;
decision.py is the value that leaves.
"""
