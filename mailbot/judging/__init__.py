"""The pure core: facts about a message, the rules, the chain and the decision. No I/O."""
