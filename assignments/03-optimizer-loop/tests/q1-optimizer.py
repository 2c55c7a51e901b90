OK_FORMAT = True

test = {   'name': 'q1-optimizer',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert str(typeerror_answer).strip().lower() in (\'a\', \'b\', \'c\', \'d\'), "answer with one letter: \'a\', \'b\', \'c\' or \'d\'"\n'
                                               '>>> _optimizer = make_optimizer(torch.tensor([1.0, 2.0], requires_grad=True), 0.1)\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
