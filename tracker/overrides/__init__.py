"""Evaluator overrides as one feature: the rules (`service`), the history an outcome page lists (`history`),
the form (`forms`) and the routes that post it and list the disagreements (`views`, on the ratings
blueprint so their endpoints stay `ratings.override` and `ratings.disagreements`)."""
