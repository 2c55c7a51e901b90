OK_FORMAT = True

test = {   'name': 'q1-as-batch',
    'points': 1,
    'suites': [   {   'cases': [   {   'code': '>>> _x = torch.arange(12.0)\n>>> assert as_batch(_x, 3).shape == (4, 3)\n>>> assert torch.equal(as_batch(_x, 3)[1], torch.tensor([3.0, 4.0, 5.0]))\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
