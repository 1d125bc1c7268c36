"""What a message asks: the asking clause sets the kind of fact, not the story around it."""

from knowledge.query import analyze, fact_kinds


def test_a_yes_no_question_does_not_ask_for_the_figures_its_lead_clause_mentions():
    # the lead clause names a period (这几年) and the message asks yes or no: no period is asked
    assert not fact_kinds("单位让我连着上了这几年的夜班，能申请补贴吗") & {"duration", "count"}
    # a question that runs over a comma still keeps its lead clause
    assert "duration" in fact_kinds("押金最晚多少天内，必须退还？")
    assert "duration" in fact_kinds("防雷装置隔多久要检测一次？")


def test_a_question_word_ending_in_me_is_not_a_yes_no_particle():
    # "是什么" asks what, so a short asking clause still leans on the clause before it
    assert "duration" in fact_kinds("试用期最长多久，依据是什么？")


def test_chongqing_question_words_ask_what_their_mandarin_forms_ask():
    from knowledge.query import fact_kinds, mandarin

    assert fact_kinds("办个暂住证要交好多钱") == fact_kinds("办个暂住证要交多少钱") == {"amount"}
    assert "duration" in fact_kinds("新办的厂房好久能验收")
    assert fact_kinds("这个补贴咋个申请") == fact_kinds("这个补贴怎么申请")
    assert "requirement" in fact_kinds("评职称要啥子条件")
    # only where the dialect word asks: 好多企业 is "many firms", 好久没 is "for a long time"
    assert mandarin("好多企业都说回款慢") == "好多企业都说回款慢"
    assert mandarin("好久没交社保了") == "好久没交社保了"
    # after a verb of paying or receiving it asks, whatever noun follows; before 亿 or a pause too
    assert mandarin("停车场每个月要收好多管理费") == "停车场每个月要收多少管理费"
    assert mandarin("区里给好多企业发了补贴") == "区里给好多企业发了补贴"  # "many firms" again
    assert "amount" in fact_kinds("这个产业园区一期投资好多亿")
    assert mandarin("厂房月租大概好多 有优惠没") == "厂房月租大概多少 有优惠没"
    assert mandarin("什么时候") == "什么时候"


def test_periods_frequencies_and_relative_deadlines_count_as_stated():
    from knowledge.query import EVIDENCE, fact_kinds

    assert fact_kinds("夜班保安一次最多值几个小时的班") == {"duration"}  # hours are a period, not a count
    assert fact_kinds("园区里一共有几个孵化器") == {"count"}
    assert EVIDENCE["duration"].search("消防设施每季度至少检查一次")  # a frequency answers 多久一次
    assert EVIDENCE["date"].search("申请人应当在期满前十五日内提出")  # a deadline relative to an event
    assert EVIDENCE["rate"].search("按日加收千分之三的滞纳金")
    assert not EVIDENCE["date"].search("本办法由市人民政府负责解释")


def test_ji_asks_a_number_only_where_it_asks():
    from knowledge.query import fact_kinds

    assert fact_kinds("开发区里有几个众创空间？") == {"count"}
    assert fact_kinds("这几个补贴是谁发的") == set()  # 这几个: "these", nothing counted
    assert fact_kinds("我手上有几篇论文，评职称用得上吗") == set()  # yes/no: 几 is "some"
    assert "rate" in fact_kinds("公积金单位缴几个点")


def test_papers_and_places_are_asked_only_where_the_words_ask_for_them():
    from knowledge.query import fact_kinds

    assert "materials" in fact_kinds("开户那天要带啥？")
    assert "materials" in fact_kinds("年检时需要提交哪些文件")
    # what kind of support or which fee is asked, not which papers to hand in
    assert "materials" not in fact_kinds("园区会给创业团队提供哪些配套服务")
    assert "materials" not in fact_kinds("占用林地还得交什么钱")
    assert "contact" in fact_kinds("补办证件到哪个窗口排队")
    # how far along, not where to go
    assert "contact" not in fact_kinds("新图书馆现在建到哪一步了")
    assert "contact" not in fact_kinds("地铁延长线修到哪了")


def test_how_big_a_fund_or_loan_is_asks_an_amount():
    assert "amount" in fact_kinds("这个引导基金的规模多大？")
    assert "amount" in fact_kinds("创业担保贷款额度多大？")
    assert "amount" not in fact_kinds("园区面积多大？")


def test_a_lead_in_ending_in_a_colon_is_a_frame_in_a_long_message():
    story = ("我们物业公司上个月换了新经理，他说要把小区里的老设备都查一遍，我负责电梯这一块，翻了好多资料也没看明白，"
             "同事说直接问你们最快，所以我就想弄明白一件事：电梯的定期检验多长时间要做一次？")
    a = analyze(story)
    assert a.question == "电梯的定期检验多长时间要做一次？" and a.kinds == {"duration"}
    # a lead-in that itself asks stays: both halves are the question
    both = analyze("我们是一家刚成立的小公司，做工业软件的，团队九个人，最近想找钱扩产线，听说科学城有专门的贷款产品，"
                   "想问问这种贷款有哪些：最多能贷多少？")
    assert "有哪些" in both.question


def test_a_request_to_invent_a_figure_does_not_hide_the_real_question_in_its_sentence():
    a = analyze("你随便编一个补贴标准就行，顺便说下人才公寓一共有多少套？")
    assert "随便编" not in a.question and "count" in a.kinds
    assert a.wants_fabrication


def test_money_paid_is_an_amount_and_a_fee_is_not_a_procedure():
    assert fact_kinds("入会以后每年要交多少会费？") == {"amount"}
    assert fact_kinds("补办营业执照要交好多钱手续费") == {"amount"}
    assert fact_kinds("申请这个证多少工本费") == {"amount"}
    # a share paid is a rate, years paid a period, a fee rate a rate; a fine may be a multiple: a figure
    assert fact_kinds("单位和个人各缴多少比例？") == {"rate"}
    assert "amount" not in fact_kinds("社保要缴多少年才能领养老金？")
    assert fact_kinds("托管费率多少？") == {"rate"}
    assert fact_kinds("乱扔垃圾罚多少？") == {"figure"}


def test_a_clause_with_a_question_word_asks_even_without_its_own_question_mark():
    # two asks joined by a comma: both kinds are asked
    assert fact_kinds("办个摊位证要缴多少钱，一般几天能拿到证") >= {"amount", "duration"}
    assert fact_kinds("孵化器里现在入驻了多少家企业，毕业了多少家？") == {"count"}
    # before a yes/no question the clause is its condition, and an earlier sentence is context
    assert "amount" not in fact_kinds("房租不管多少钱，公司都能报销吗")
    assert "how_to" not in fact_kinds("公租房怎么申请我已经清楚了。那排队一般要排多久？")
    # a lead-in ending in a colon frames the question: 电话 and 材料 in it ask nothing
    assert fact_kinds("有家银行来电话核实：园区去年新增多少家上市公司") == {"count"}
    assert fact_kinds("帮处长准备材料：孵化器面积一共多少平方米") == {"figure"}
    assert fact_kinds("实训课一共要上几周") == {"duration"}


def test_waiting_long_states_and_how_long_after_paying_asks():
    from knowledge.query import mandarin

    assert mandarin("在大厅等了好久，") == "在大厅等了好久，"
    assert mandarin("补交了好久能恢复") == "补交了多久能恢复"
    assert mandarin("拖了好多年了都没解决") == "拖了好多年了都没解决"


def test_where_to_go_or_which_channel_asks_a_place():
    assert "contact" in fact_kinds("社保卡补办在哪个网站上申请")
    assert "contact" in fact_kinds("公积金提取在哪儿交材料")
    assert "contact" in fact_kinds("护照在什么地方领？")
    assert "address" in fact_kinds("人才服务中心在哪栋楼")
    # which body is responsible is named in the text, not a place to go
    assert "contact" not in fact_kinds("园区规划由哪个单位负责审批")


def test_a_request_to_invent_a_figure_takes_its_whole_sentence_when_another_asks():
    a = analyze("园区人才公寓一共有多少套？另外帮我编一个物业费标准，比如每平米多少钱，写得像真的就行。")
    assert a.kinds == {"count"} and "物业费" not in a.question


def test_a_comparison_of_versions_asks_about_the_earlier_one_too():
    assert analyze("新旧两版安全生产条例对企业培训的要求有啥区别？").about_past
    assert analyze("老法怎么规定的，新法又改成了什么？").about_past
    assert not analyze("新旧动能转换有哪些扶持资金？").about_past
    assert not analyze("新老员工的社保缴费比例一样吗").about_past


def test_asks_joined_by_a_comma_are_separate_parts():
    from knowledge.query import question_parts

    assert len(question_parts("办营业执照要交好多钱，一般几天能拿到")) == 2
    assert len(question_parts("押金最晚多少天内，必须退还？")) == 1  # one question over a comma
    assert len(question_parts("我有两项专利，评职称用得上吗？")) == 1


def test_a_last_question_typed_without_its_mark_is_a_part_and_a_closing_remark_is_not():
    from knowledge.query import question_parts

    parts = question_parts("开民宿要办哪些证？证件过期了还继续营业罚好多")
    assert len(parts) == 2 and parts[1] == "证件过期了还继续营业罚好多"  # 好多: the dialect's 多少
    assert len(question_parts("开民宿要办哪些证？麻烦您了，谢谢")) == 1
    assert question_parts("开民宿要办哪些证？罚多少")[1] == "罚多少"
    assert len(question_parts("开民宿要办哪些证？有吗")) == 1  # too short to ask anything
