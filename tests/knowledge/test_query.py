"""What a message asks: the asking clause sets the kind of fact, not the story around it."""

from knowledge.query import fact_kinds


def test_a_yes_no_question_does_not_ask_for_the_figures_its_lead_clause_mentions():
    # the lead clause names a period (这几年) and the message asks yes or no: no period is asked
    assert not fact_kinds("单位让我连着上了这几年的夜班，能申请补贴吗") & {"duration", "count"}
    # a question that runs over a comma still keeps its lead clause
    assert "duration" in fact_kinds("欠款最晚多少天内，必须付清？")
    assert "duration" in fact_kinds("防雷装置隔多久要检测一次？")


def test_a_question_word_ending_in_me_is_not_a_yes_no_particle():
    # "是什么" asks what, so a short asking clause still leans on the clause before it
    assert "duration" in fact_kinds("试用期最长多久，依据是什么？")
