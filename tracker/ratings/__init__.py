"""The rating life cycle. Read ratings with `ratings_for` (`rating_set`): one engine run (`compute`) behind
every rating, stored per outcome (`snapshots`, `stored`), kept true after every save (`upkeep`); pages drawn
from stored ratings are kept per worker (`fragments`); the CLI and worker's collector pause (`gc_pause`)."""

from tracker.ratings.rating_set import RatingSet, keep, ratings_for
from tracker.ratings.stored import OutcomeRating

__all__ = ["OutcomeRating", "RatingSet", "keep", "ratings_for"]
