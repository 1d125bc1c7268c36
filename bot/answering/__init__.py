"""Cited answers: candidates → answerability → composition, with the conversation resolved first.

Import direction: ``answerer`` uses the other modules; none of them imports ``answerer``; the LLM
drafter (``llm``) is handed to the answerer and knows only ``types``.
"""

from bot.answering.answerer import Answerer
from bot.answering.types import Answer, Citation

__all__ = ["Answer", "Answerer", "Citation"]
