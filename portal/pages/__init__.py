"""One module per page group, each with an ``APIRouter`` named ``router``."""
